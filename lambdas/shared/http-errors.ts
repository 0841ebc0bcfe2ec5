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

/**
 * An error class for one status: `new BadRequestError(message, details?, data?)`. Its name is
 * given, not taken from the class, because bundles are minified.
 */
function statusError(statusCode: number, name: string, defaultMessage = "") {
  return class extends HttpError {
    override name = name;
    constructor(message = defaultMessage, details: string[] = [], data: Record<string, unknown> = {}) {
      super(statusCode, message, details, data);
    }
  };
}

export const BadRequestError = statusError(400, "BadRequestError");
export const UnauthorizedError = statusError(401, "UnauthorizedError", "missing credentials");
export const ForbiddenError = statusError(403, "ForbiddenError", "credentials not accepted");
export const NotFoundError = statusError(404, "NotFoundError");
/** The request conflicts with work in progress (e.g. a rebuild); it may succeed later. */
export const ConflictError = statusError(409, "ConflictError");
/** A dependency (the queue, Redis) could not do its part; the client may retry. */
export const ServiceUnavailableError = statusError(503, "ServiceUnavailableError");

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
