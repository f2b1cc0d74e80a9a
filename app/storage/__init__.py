"""Storage: repositories over SQLite or PostgreSQL; the only package that imports SQLAlchemy."""
