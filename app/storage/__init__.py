"""Storage: repository interfaces and their SQLAlchemy implementation (SQLite or PostgreSQL).

The only package that imports SQLAlchemy, Alembic or psycopg. Nothing it returns is a
database object: repositories hand back the frozen records of ``app.core.records``.
"""
