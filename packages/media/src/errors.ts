/** An upload refused for what it is, with the HTTP status it deserves and a message for a person. */
export class MediaRejected extends Error {
  override name = 'MediaRejected';
  constructor(
    message: string,
    /** 413 for too many bytes, 422 for anything else wrong with the file. */
    readonly statusCode: 413 | 422 = 422,
  ) {
    super(message);
  }
}
