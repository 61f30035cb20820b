export { stylesheetPath } from './look.js';
