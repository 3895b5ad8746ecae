from .adding import main

main()
