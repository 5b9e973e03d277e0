import type { TagView } from '@murmur/db';
import type { Tag } from '../schemas/entities.js';
import { tagUrl } from './context.js';

export function serializeTag(
  view: Pick<TagView, 'name'> & Partial<TagView>,
  publicUrl: string,
): Tag {
  const tag: Tag = { name: view.name, url: tagUrl(publicUrl, view.name), history: [] };
  if (view.id !== undefined) tag.id = view.id;
  return tag;
}
