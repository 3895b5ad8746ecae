"""The classroom: exercise checks, student builds of the notebooks, and grading.

checks       one ``check_<name>`` per exercise (also importable as ``lstm_tutorial.checks``)
assignments  student (and instructor) versions of the exercise notebooks
grading      nbgrader-style scoring without nbgrader

python -m lstm_tutorial.classroom notebooks build/assignments      # student versions
python -m lstm_tutorial.classroom --grade submissions/*.ipynb      # score submissions
"""
