// Moved to src/errors/errors.ts (a leaf every part may import). This re-export
// only keeps branches that were open when it moved compiling; it goes once they
// have landed. Import from src/errors/errors.js.
export { ERRORS, PmError, isPmError, type ErrorCode } from '../errors/errors.js';
