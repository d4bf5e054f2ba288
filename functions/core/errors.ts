/** Base of every error Broadsheet raises on purpose; `cause` keeps the original failure. */
export class BroadsheetError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'BroadsheetError';
  }
}

/** A content or configuration file that cannot be used as it is. */
export class ContentError extends BroadsheetError {
  public readonly file: string;
  public constructor(file: string, message: string, options?: ErrorOptions) {
    super(`${file}: ${message}`, options);
    this.name = 'ContentError';
    this.file = file;
  }
}

/** The process environment does not hold what a handler needs. */
export class ConfigError extends BroadsheetError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

export interface Problem {
  file: string;
  severity: 'error' | 'warning';
  message: string;
}
