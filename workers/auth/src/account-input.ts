import { z } from "@hono/zod-openapi";
import { COUNTRIES, USERNAME_PATTERN } from "../../../schema/vocabulary";
import { optionalText, wellFormed } from "../../shared/src/text-input";

/** What a user may send about their account. Optional profile fields take `null` or `""` for none. */

export const MAX_DISPLAY_NAME_LENGTH = 50;
export const MAX_BIO_LENGTH = 500;

/** A chosen username: compared and stored lower-cased. */
export const Username = z
  .string({ error: "Username must be text" })
  .trim()
  .toLowerCase()
  .regex(USERNAME_PATTERN, {
    error: "Username must be 3 to 30 letters, digits, - or _, starting and ending with a letter or digit",
  })
  .openapi({ example: "crate-digger", description: "3–30 of a–z, 0–9, `-`, `_`; starts and ends with a letter or digit; case-insensitive" });

// A name is shown on one line wherever it appears.
const DisplayName = optionalText("Display name", MAX_DISPLAY_NAME_LENGTH)
  .refine((v) => v === null || !/\p{Cc}/u.test(v), { error: "Display name must be one line of text" })
  .openapi({ example: "Crate Digger", description: `At most ${MAX_DISPLAY_NAME_LENGTH} characters; \`""\` or \`null\` clears` });

const Country = z
  .preprocess(
    (v) => (v === "" ? null : v),
    z.string({ error: "Country must be a country code" }).refine((code) => COUNTRIES.includes(code), { error: "Country must be a known country code" }).nullable(),
  )
  .openapi({ example: "DE", description: 'ISO 3166-1 alpha-2, upper case, as listed; `""` or `null` clears' });

const Bio = optionalText("Bio", MAX_BIO_LENGTH).openapi({ description: `At most ${MAX_BIO_LENGTH} characters; \`""\` or \`null\` clears` });

const NOT_AN_OBJECT = { error: "Request body must be a JSON object" };

/** `PATCH /api/users/currentuser`: omitted fields keep their value. */
export const ProfileUpdate = z
  .object({ displayName: DisplayName.optional(), country: Country.optional(), bio: Bio.optional() }, NOT_AN_OBJECT)
  .openapi("ProfileUpdate");

const Password = (label: string) =>
  z
    .string({ error: `${label} is required` })
    .refine(...wellFormed(label));

/** A password being chosen: the rules of sign-up. */
const NewPassword = Password("New password")
  .min(8, { error: "New password must be 8 to 128 characters" })
  .max(128, { error: "New password must be 8 to 128 characters" });

/** `POST /api/users/currentuser/password`. */
export const PasswordChange = z
  .object(
    {
      currentPassword: Password("Current password")
        .min(1, { error: "Current password is required" })
        .max(128, { error: "Current password is incorrect" }),
      newPassword: NewPassword,
    },
    NOT_AN_OBJECT,
  )
  .openapi("PasswordChange");

/** The message for a reset link that cannot be used: unknown, used, expired or malformed alike. */
export const INVALID_RESET_LINK = "This reset link is invalid or has expired";

/** `POST /api/users/password-reset/confirm`. */
export const PasswordResetConfirm = z
  .object(
    {
      token: z
        .string({ error: INVALID_RESET_LINK })
        .regex(/^[A-Za-z0-9_-]{43}$/, { error: INVALID_RESET_LINK })
        .openapi({ description: "The `token` of the emailed link", example: "q3J0c2F2ZWQtYnktYS1yZXNldC1saW5rLWV4YW1wbGU" }),
      newPassword: NewPassword,
    },
    NOT_AN_OBJECT,
  )
  .openapi("PasswordResetConfirm");
