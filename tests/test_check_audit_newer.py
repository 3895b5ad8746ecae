"""The two newest audit sets (seventh and eighth), run by test_check_audit.py's tests in a module
of their own: the audit is the test suite's longest part, and a second worker takes these."""

from test_check_audit import (
    audit,
    test_buggy_submissions_fail_with_one_sentence,
    test_most_buggy_submissions_get_a_sentence_that_names_the_mistake,
    test_right_submissions_pass,
)

results = audit(["seventh", "eighth"])

__all__ = [
    "test_buggy_submissions_fail_with_one_sentence",
    "test_most_buggy_submissions_get_a_sentence_that_names_the_mistake",
    "test_right_submissions_pass",
]
