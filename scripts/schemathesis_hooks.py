"""Hooks for scripts/schemathesis: CSV answers (format=csv) are text, checked as strings."""

import schemathesis


@schemathesis.deserializer("text/csv")
def deserialize_csv(ctx, response):
    return response.content.decode("utf-8")
