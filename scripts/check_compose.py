"""Validates docker-compose.yml against the Compose Specification's JSON schema, then checks
what newsgraph's deployment relies on: a pinned PostgreSQL with a volume and a health check,
a one-shot migration as the owner, the API and the import waiting for it and working as
another role, and a one-shot import of the sample.

Usage: python3 scripts/check_compose.py SCHEMA.json [docker-compose.yml]
"""

import json
import sys

import jsonschema
import yaml


def fail(message):
    print(f"docker-compose.yml: {message}", file=sys.stderr)
    sys.exit(1)


def main():
    schema_path = sys.argv[1]
    compose_path = sys.argv[2] if len(sys.argv) > 2 else "docker-compose.yml"
    with open(schema_path, encoding="utf-8") as handle:
        schema = json.load(handle)
    with open(compose_path, encoding="utf-8") as handle:
        compose = yaml.safe_load(handle)
    validator = jsonschema.Draft201909Validator(schema)
    errors = sorted(validator.iter_errors(compose), key=lambda e: list(e.path))
    for error in errors:
        print(f"docker-compose.yml: {'/'.join(map(str, error.path)) or '(top)'}: {error.message}", file=sys.stderr)
    if errors:
        sys.exit(1)

    services = compose.get("services", {})
    for name in ("db", "migrate", "api", "import"):
        if name not in services:
            fail(f"no `{name}` service")
    db, migrate, api, load = services["db"], services["migrate"], services["api"], services["import"]
    image = db.get("image", "")
    if not image.startswith("postgres:") or not image.split(":", 1)[1][:2].isdigit():
        fail(f"db must use the official postgres image with its major version pinned, not {image!r}")
    if "healthcheck" not in db:
        fail("db needs a healthcheck")
    volumes = compose.get("volumes", {})
    if not any(str(v).split(":", 1)[0] in volumes for v in db.get("volumes", [])):
        fail("db must keep its data in a named volume")
    if migrate.get("depends_on", {}).get("db", {}).get("condition") != "service_healthy":
        fail("migrate must depend on db being healthy")
    if migrate.get("command") != ["migrate"] or migrate.get("restart") not in ("no", None):
        fail("migrate is a one-shot `migrate`")
    if "NEWSGRAPH_OWNER_DATABASE_URL" not in migrate.get("environment", {}):
        fail("migrate runs the migrations as the owner: it needs NEWSGRAPH_OWNER_DATABASE_URL")
    for name, service in (("api", api), ("import", load)):
        condition = service.get("depends_on", {}).get("migrate", {}).get("condition")
        if condition != "service_completed_successfully":
            fail(f"{name} must wait for migrate to complete successfully")
        environment = service.get("environment", {})
        if "DATABASE_URL" not in environment:
            fail(f"{name} needs DATABASE_URL")
        if "NEWSGRAPH_OWNER_DATABASE_URL" in environment:
            fail(f"{name} must not see the owner's URL (least privilege)")
    if not any(str(p).endswith(":8080") for p in api.get("ports", [])):
        fail("api must publish port 8080")
    if api.get("command") != ["serve"]:
        fail("api must run `serve`")
    command = load.get("command", [])
    if command[:1] != ["import"] or "/usr/share/newsgraph/sample" not in command:
        fail("import must import the bundled sample")
    if load.get("restart") not in ("no", None):
        fail("import is one-shot: restart must be \"no\"")
    print("docker-compose.yml: valid against the Compose Specification schema; structure ok")


if __name__ == "__main__":
    main()
