"""The OpenAPI 3.1 document of the API; each feature adds its paths and schemas."""
from __future__ import annotations

import copy

ERROR_CODES = {
    "400": "Bad request, e.g. a NUL character in the query string",
    "401": "Missing, unknown or revoked token",
    "403": "The token's user may not do this",
    "404": "Not found",
    "409": "A rule refused the action; the message says why",
    "413": "Body too large",
    "422": "Invalid data; the message and fields say which",
}

SCHEMAS: dict[str, dict] = {
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {
            "error": {"type": "string", "description": "Machine-readable code"},
            "message": {"type": "string", "description": "Explanation for a person, in the user's language"},
            "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
            "errors": {"type": "array", "items": {"type": "object", "required": ["line", "message"],
                                                  "properties": {"line": {"type": "integer"},
                                                                 "message": {"type": "string"}}}},
            "tags": {"type": "array", "items": {"type": "string"}},
            "lines": {"type": "array", "items": {"type": "integer"},
                      "description": "already_imported: the collection's declared lines that the list repeats"},
            "candidates": {"type": "array", "items": {"$ref": "#/components/schemas/CommuneCandidate"},
                           "description": "unknown_commune, ambiguous_commune: the communes that could be meant"},
            "line_candidates": {"type": "object", "additionalProperties": {
                "type": "array", "items": {"$ref": "#/components/schemas/CommuneCandidate"}},
                "description": "Partner reports: the communes that could be meant, by line (e.g. lines[0])"},
        },
    },
    "CommuneCandidate": {
        "type": "object",
        "required": ["insee_code", "name", "departement", "postcodes"],
        "properties": {
            "insee_code": {"type": "string"},
            "name": {"type": "string"},
            "departement": {"type": "string", "description": "Code of the département, e.g. 35"},
            "postcodes": {"type": "array", "items": {"type": "string"}},
        },
    },
    "Structure": {
        "type": "object",
        "required": ["id", "name", "kinds", "commune", "insee_code", "tag_prefix"],
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "kinds": {"type": "array", "items": {"type": "string",
                                                 "enum": ["workshop", "prescriber", "installer", "partner"]}},
            "commune": {"type": "string"},
            "insee_code": {"type": "string", "description": "INSEE code of the commune"},
            "tag_prefix": {"type": ["string", "null"], "description": "Asset-tag prefix of a workshop"},
        },
    },
    "Me": {
        "type": "object",
        "required": ["id", "email", "name", "role", "structure"],
        "properties": {
            "id": {"type": "integer"},
            "email": {"type": "string"},
            "name": {"type": "string"},
            "role": {"type": "string",
                     "enum": ["admin", "supervisor", "technician", "prescriber", "installer", "partner", "viewer"]},
            "locale": {"type": ["string", "null"], "enum": ["fr", "en", None]},
            "structure": {"$ref": "#/components/schemas/Structure"},
        },
    },
}

PATHS: dict[str, dict] = {
    "/me": {
        "get": {
            "summary": "The token's user and structure",
            "operationId": "getMe",
            "responses": {"200": {"description": "The user",
                                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Me"}}}}},
            "errors": ["401"],
        }
    },
    "/structures/{structure_id}": {
        "get": {
            "summary": "A structure: the user's own, or any for the coordinator",
            "operationId": "getStructure",
            "parameters": [{"name": "structure_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "The structure", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Structure"}}}}},
            "errors": ["401", "403", "404"],
        }
    },
}


def error_responses(codes) -> dict:
    """Return the documented error responses for the given status codes."""
    return {
        code: {"description": ERROR_CODES[code],
               "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        for code in codes
    }


def _referenced(schema, names: set[str]) -> None:
    """Add to ``names`` the component schemas that ``schema`` refers to, and those they refer to."""
    if isinstance(schema, list):
        for value in schema:
            _referenced(value, names)
    elif isinstance(schema, dict):
        name = schema.get("$ref", "").removeprefix("#/components/schemas/")
        if name in SCHEMAS and name not in names:
            names.add(name)
            _referenced(SCHEMAS[name], names)
        for value in schema.values():
            _referenced(value, names)


def _nullable(schema: dict) -> dict:
    """Return ``schema`` also taking null."""
    types = schema.get("type")
    if types is None:
        return {"anyOf": [schema, {"type": "null"}]}
    types = types if isinstance(types, list) else [types]
    if "null" in types:
        return schema
    nullable = schema | {"type": [*types, "null"]}
    if "enum" in schema:
        nullable["enum"] = [*schema["enum"], None]
    return nullable


def _null_as_absent(schema: dict) -> dict:
    """Return a request schema whose optional fields, at every depth, also take null: the API reads it as absent."""
    schema = dict(schema)
    if "properties" in schema:
        required = set(schema.get("required", []))
        schema["properties"] = {name: _null_as_absent(value) if name in required else
                                _nullable(_null_as_absent(value)) for name, value in schema["properties"].items()}
    if isinstance(schema.get("items"), dict):
        schema["items"] = _null_as_absent(schema["items"])
    return schema


def openapi_document() -> dict:
    """Return the whole OpenAPI document."""
    paths, request_schemas = {}, set()
    for path, operations in PATHS.items():
        paths[path] = {}
        for method, operation in operations.items():
            operation = copy.deepcopy(operation)
            # Any request may carry a query string, and one holding a NUL character is refused with 400.
            operation["responses"].update(error_responses(sorted({"400", *operation.pop("errors", [])})))
            _referenced(operation.get("requestBody"), request_schemas)
            paths[path][method] = operation
    schemas = {name: _null_as_absent(schema) if name in request_schemas else schema for name, schema in SCHEMAS.items()}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Reco API", "version": "1.0.0",
                 "description": "Refurbished-computer pipeline: devices, drives, prescriptions, parts, reports."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "flask --app wsgi reco create-token EMAIL"}},
        },
    }


def json_body_of(schema_ref: str) -> dict:
    """Return a requestBody taking a JSON object of the given schema."""
    schema = {"$ref": f"#/components/schemas/{schema_ref}"}
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def json_response(description: str, schema_ref: str) -> dict:
    """Return a response carrying a JSON object of the given schema."""
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}}}
