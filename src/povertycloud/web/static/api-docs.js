// The API documentation (/docs): Swagger UI, vendored, on the platform's own schema.
window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui" });
