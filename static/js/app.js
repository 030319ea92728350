// Starts GOV.UK Frontend's components (error summary focus, service navigation menu, …).
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

initAll();
