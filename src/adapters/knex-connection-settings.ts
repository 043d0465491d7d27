import type { Knex } from 'knex';

/**
 * A copy of knex's connection settings for a driver of dmr's own. knex keeps the password out of
 * enumeration (so that logs never show it): it is copied by name, or a spread would drop it.
 */
export function knexConnectionSettings(knex: Knex): Record<string, unknown> {
  const settings = (knex.client as { connectionSettings?: Record<string, unknown> }).connectionSettings ?? {};
  return { ...settings, ...(settings.password !== undefined ? { password: settings.password } : {}) };
}
