import { BroadsheetError } from '../errors.ts';

/** A template or a slot value that cannot make a safe email. */
export class RenderError extends BroadsheetError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RenderError';
  }
}
