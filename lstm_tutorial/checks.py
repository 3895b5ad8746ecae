"""The exercise checks under their short name: ``from lstm_tutorial import checks``.

They live in ``lstm_tutorial.classroom.checks``; this module only makes them importable here.
"""

from .classroom.checks import *  # noqa: F403
from .classroom.checks import __all__  # noqa: F401
