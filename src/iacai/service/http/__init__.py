"""HTTP around every answer: the server's limits, content negotiation, errors, security headers,
the answer cache and the OpenAPI answers.
"""
