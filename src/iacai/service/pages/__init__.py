"""Pages for people: home, resource pages, the matrix, the query page, with their templates and
static files.
"""
