/** Config errors name the offending field (CONTRACT.md §1: "a clear error naming the field"). */
export const CONFIG_VERSION = 2;

export class ConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(field ? `${field}: ${message}` : message);
    this.name = 'ConfigError';
  }
}
