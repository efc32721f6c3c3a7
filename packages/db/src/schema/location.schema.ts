// The catalogue: every stay the platform can rank. Ids are integers (the compatible API
// exposes them as numbers).
import { boolean, doublePrecision, index, integer, pgTable, text } from 'drizzle-orm/pg-core';

import { createdAt, timestampTz } from './columns';

export const locations = pgTable(
  'locations',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    town: text('town').notNull(),
    children: boolean('children').notNull(),
    breakfast: boolean('breakfast').notNull(),
    lunch: boolean('lunch').notNull(),
    dinner: boolean('dinner').notNull(),
    price: doublePrecision('price').notNull(),
    has_pool: boolean('has_pool').notNull(),
    has_spa: boolean('has_spa').notNull(),
    animals: boolean('animals').notNull(),
    near_lake: boolean('near_lake').notNull(),
    near_mountains: boolean('near_mountains').notNull(),
    has_sport: boolean('has_sport').notNull(),
    family_rating: doublePrecision('family_rating').notNull(),
    outdoor_rating: doublePrecision('outdoor_rating').notNull(),
    food_rating: doublePrecision('food_rating').notNull(),
    leisure_rating: doublePrecision('leisure_rating').notNull(),
    service_rating: doublePrecision('service_rating').notNull(),
    user_score: doublePrecision('user_score').notNull(),
    created_at: createdAt(),
    updated_at: timestampTz('updated_at').notNull().defaultNow(),
  },
  // The worker's catalogue cache polls max(updated_at) to notice catalogue changes.
  (t) => [index('locations_updated_at_idx').on(t.updated_at)],
);

export type LocationRow = typeof locations.$inferSelect;
export type NewLocationRow = typeof locations.$inferInsert;
