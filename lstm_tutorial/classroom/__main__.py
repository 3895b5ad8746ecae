from .assignments import main

main()
