"""The only package that touches docxtpl, python-docx, lxml and LibreOffice."""
