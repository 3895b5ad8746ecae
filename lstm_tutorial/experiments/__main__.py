import sys

from . import adding, attention_sweep, charlm_train, sweep, variant_sweep

if sys.argv[1:2] == ["attention"]:
    attention_sweep.main(sys.argv[2:])
elif sys.argv[1:2] == ["charlm"]:
    charlm_train.main(sys.argv[2:])
else:
    sweep.main(adding.SWEEPS | variant_sweep.SWEEPS)
