/**
 * The sentence a 422 gives for a request that does not fit its schema. Ajv reports every branch of a
 * union it tried plus "must match a schema in anyOf" for each union around them, which reads as a
 * list of contradictions ("must be boolean, must be string, must match a schema in anyOf, must be
 * null, must match a schema in anyOf"). Here each field is named once with the types it may take
 * ("body/notifications must be boolean, string or null"), followed by its other constraints.
 */

/** The parts of an Ajv error this reads (Fastify's `error.validation` items). */
export interface SchemaError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

function listed(words: string[]): string {
  return words.length <= 1
    ? words.join('')
    : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

/** `body/notifications must be boolean, string or null; body/x must NOT have more than 3 items`. */
export function validationMessage(context: string | undefined, errors: SchemaError[]): string {
  const byField = new Map<string, { types: string[]; others: string[] }>();
  for (const error of errors) {
    if (error.keyword === 'anyOf' || error.keyword === 'oneOf') continue;
    const field = `${context ?? ''}${error.instancePath}`;
    let entry = byField.get(field);
    if (!entry) byField.set(field, (entry = { types: [], others: [] }));
    if (error.keyword === 'type') {
      for (const type of [error.params.type].flat()) {
        if (typeof type === 'string' && !entry.types.includes(type)) entry.types.push(type);
      }
    } else if (error.message && !entry.others.includes(error.message)) {
      entry.others.push(error.message);
    }
  }
  const sentences = [...byField].map(([field, { types, others }]) => {
    const clauses = [...(types.length > 0 ? [`must be ${listed(types)}`] : []), ...others];
    return `${field} ${clauses.join(', or ')}`;
  });
  return sentences.join('; ');
}
