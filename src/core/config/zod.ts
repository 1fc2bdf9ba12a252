/**
 * The one place zod is imported from. Zod 4 compiles fast object parsers with `new Function`
 * unless told not to; our CSP forbids eval (SECURITY.md), and even its feature probe reports a
 * violation. Configuring it here, in the module every schema imports `z` from, guarantees the
 * setting is in force before any schema is built or parsed, whatever the import order.
 */
import { z } from 'zod';

z.config({ jitless: true });

export { z };
