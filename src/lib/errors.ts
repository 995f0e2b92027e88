// Typed errors raised by services; pages map them to HTTP answers at the edge.

export type FieldErrors = Record<string, string>;

export class ValidationError extends Error {
  constructor(readonly fields: FieldErrors, message = 'Der er fejl i formularen.') {
    super(message);
    this.name = 'ValidationError';
  }
}

export class NotFoundError extends Error {
  constructor(message = 'Siden findes ikke.') {
    super(message);
    this.name = 'NotFoundError';
  }
}

export class ForbiddenError extends Error {
  constructor(message = 'Du har ikke adgang til dette.') {
    super(message);
    this.name = 'ForbiddenError';
  }
}

/** A rule of the domain said no (a capacity, a state that does not allow the step). */
export class ConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}

/**
 * How a page answers a service's access error: 403 or 404 with the service's Danish message. Anything else is not
 * an access problem and is thrown on, so a real fault is never dressed up as "not found".
 */
export function accessProblem(error: unknown): { status: 403 | 404; message: string } {
  if (error instanceof ForbiddenError) return { status: 403, message: error.message };
  if (error instanceof NotFoundError) return { status: 404, message: error.message };
  throw error;
}
