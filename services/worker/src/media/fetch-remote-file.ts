/**
 * Another server's file (an attachment, an avatar) as bytes, through the safe fetch the caller
 * made (`remoteMediaFetch`: no private addresses, the upload's size limit, a deadline).
 */
/** The bytes of the file at `url`, or why they cannot be had. */
export async function fetchRemoteFile(
  fetchRemote: typeof fetch,
  url: string,
): Promise<{ bytes: Buffer } | { refused: string }> {
  try {
    const response = await fetchRemote(url, { headers: { accept: 'image/*' } });
    if (!response.ok) {
      await response.body?.cancel();
      return { refused: `The other server answered HTTP ${response.status}` };
    }
    return { bytes: Buffer.from(await response.arrayBuffer()) };
  } catch (error) {
    return { refused: `The file could not be fetched (${(error as Error).message})` };
  }
}
