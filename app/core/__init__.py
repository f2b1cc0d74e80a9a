"""The letter domain: plain data and the rules of formal correspondence.

Nothing here imports Qt, SQL or the Word libraries; it runs and is tested on its own.
"""
