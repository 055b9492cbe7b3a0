import { createServiceApp } from "../../shared/src/app";

export const app = createServiceApp<Env>({ service: "catalog" });
