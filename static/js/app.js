// Starts GOV.UK Frontend's components (error summary focus, service navigation menu, …) and the
// warning before an idle session ends.
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";
import { initTimeoutWarning } from "./timeout-warning.js";

initAll();
initTimeoutWarning(document.body);
