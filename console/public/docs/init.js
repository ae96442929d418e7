// Swagger UI over the generated document. No validator badge (it would call an outside service).
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  validatorUrl: null,
  deepLinking: true,
  persistAuthorization: true,
  displayOperationId: true,
});
