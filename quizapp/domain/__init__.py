"""The domain layer: plain Python, no Flask and no database.

Sources and quote anchoring, the bank format and its validation, question
types, scoring and YAML import/export live here so that the CLI, the web
interface and the tests all call the same code.
"""
