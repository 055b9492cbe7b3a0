import { MEDIA_GRADES } from "../../../schema/events";

export type MediaGrade = (typeof MEDIA_GRADES)[number];

/**
 * A media grade as a number, higher is better: M = 8 … P = 1. The same mapping is the
 * generated `media_rank` column in schema/tables/catalog.ts; a test holds the two together.
 */
export const mediaRank = (grade: MediaGrade) => MEDIA_GRADES.length - MEDIA_GRADES.indexOf(grade);
