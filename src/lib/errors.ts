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
