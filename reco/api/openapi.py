"""The OpenAPI 3.1 document of the API; each feature adds its paths and schemas."""
from __future__ import annotations

import copy

ERROR_CODES = {
    "400": "Bad request",
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


def openapi_document() -> dict:
    """Return the whole OpenAPI document."""
    paths = {}
    for path, operations in PATHS.items():
        paths[path] = {}
        for method, operation in operations.items():
            operation = copy.deepcopy(operation)
            operation["responses"].update(error_responses(operation.pop("errors", [])))
            paths[path][method] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "Reco API", "version": "1.0.0",
                 "description": "Refurbished-computer pipeline: devices, drives, prescriptions, parts, reports."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
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
