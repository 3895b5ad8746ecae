import sys

from . import adding, attention_sweep

if sys.argv[1:2] == ["attention"]:
    attention_sweep.main(sys.argv[2:])
else:
    adding.main()
