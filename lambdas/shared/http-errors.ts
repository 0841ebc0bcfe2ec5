/**
 * Errors a request can end with. Each names its meaning and its status; the one error middleware
 * (http.ts) turns them into `{ "error": ..., "details": [...] }` bodies. Anything else is a 500
 * whose body says only "internal error".
 */
export class HttpError extends Error {
  override name = "HttpError";
  readonly statusCode: number;
  readonly details: string[];
  /** Machine-readable fields added to the body (each declared in the Error schema). */
  readonly data: Record<string, unknown>;

  constructor(
    statusCode: number,
    message: string,
    details: string[] = [],
    data: Record<string, unknown> = {},
  ) {
    super(message);
    this.statusCode = statusCode;
    this.details = details;
    this.data = data;
  }
}

export class BadRequestError extends HttpError {
  override name = "BadRequestError";
  constructor(message: string, details: string[] = []) {
    super(400, message, details);
  }
}

export class UnauthorizedError extends HttpError {
  override name = "UnauthorizedError";
  constructor(message = "missing credentials", details: string[] = []) {
    super(401, message, details);
  }
}

export class ForbiddenError extends HttpError {
  override name = "ForbiddenError";
  constructor(message = "credentials not accepted") {
    super(403, message);
  }
}

export class NotFoundError extends HttpError {
  override name = "NotFoundError";
  constructor(message: string) {
    super(404, message);
  }
}

/** The request conflicts with work in progress (e.g. a rebuild); it may succeed later. */
export class ConflictError extends HttpError {
  override name = "ConflictError";
  constructor(message: string, details: string[] = []) {
    super(409, message, details);
  }
}

export class PayloadTooLargeError extends HttpError {
  override name = "PayloadTooLargeError";
  constructor(limitBytes: number) {
    super(413, "request body too large", [`body: at most ${limitBytes} bytes`]);
  }
}

export class UnsupportedMediaTypeError extends HttpError {
  override name = "UnsupportedMediaTypeError";
  constructor(contentType: string | undefined, details?: string[]) {
    super(
      415,
      "unsupported media type",
      details ?? [
        `content-type: expected application/json, got ${contentType ? `"${contentType}"` : "none"}`,
      ],
    );
  }
}

/** A dependency (the queue, Redis) could not do its part; the client may retry. */
export class ServiceUnavailableError extends HttpError {
  override name = "ServiceUnavailableError";
  constructor(message: string, details: string[] = [], data: Record<string, unknown> = {}) {
    super(503, message, details, data);
  }
}
