/**
 * What uploads may be, as told to clients by `/api/v2/instance` and enforced by the processing.
 * Mastodon's numbers: 16 MB and 33 MP in, originals capped at 8.3 MP (3840×2160), previews at
 * 640×360 worth of pixels.
 */
export const MEDIA_LIMITS = {
  /** Largest upload accepted, in bytes (larger: 413). */
  maxUploadBytes: 16 * 1024 * 1024,
  /** Largest image accepted, width × height (larger: 422, read from the header before decoding). */
  maxInputPixels: 33_177_600,
  /** Frames of an animated GIF or WebP, and their pixels added up (a GIF is decoded whole). */
  maxFrames: 400,
  maxAnimationPixels: 100_000_000,
  /** The served original is scaled down to at most this many pixels. */
  maxOriginalPixels: 8_294_400,
  /** The `small` preview. */
  previewPixels: 230_400,
  /** Longest alt text. */
  maxDescriptionLength: 1500,
  /** Attachments on one post. */
  maxAttachmentsPerStatus: 4,
  /** Longest a decode and resize may take before the upload is refused. */
  processingTimeoutSeconds: 20,
} as const;

/** The types an upload may be (SVG never: it is a document that can run scripts). */
export const SUPPORTED_IMAGE_TYPES = [
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'image/avif',
] as const;

export const AVATAR_SIZE = { width: 400, height: 400 } as const;
export const HEADER_SIZE = { width: 1500, height: 500 } as const;
