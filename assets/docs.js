// Renders /openapi.yaml with the vendored Swagger UI; nothing is fetched from elsewhere.
window.ui = SwaggerUIBundle({
  url: "/openapi.yaml",
  dom_id: "#swagger-ui",
  deepLinking: true,
  tryItOutEnabled: true,
  validatorUrl: null,
});
