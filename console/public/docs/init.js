// Swagger UI over the generated document. No validator badge (it would call an outside service).
// Authorizations stay in this page's memory only: a pasted API key must not outlive the tab in
// localStorage, where it would survive signing out of the console (same origin).
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  validatorUrl: null,
  deepLinking: true,
  persistAuthorization: false,
  displayOperationId: true,
});
