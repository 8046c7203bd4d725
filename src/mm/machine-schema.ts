/**
 * The machine JSON and machine sysctl schemas as values of zod's ES module: what src/scenario/schema.ts composes
 * into the scenario schema (and its JSON Schema describes). The definitions live in machine.ts
 * (defineMachineSchemas), which does not load zod itself; importing this module also hands these schemas to
 * machine.ts, so that its validations use the same zod instance as the scenarios.
 */
import { z } from 'zod';
import { defineMachineSchemas, useMachineSchemas } from './machine.js';

const schemas = defineMachineSchemas(z);
useMachineSchemas(schemas);

/** the vm sysctls of a machine, with the ranges the kernel's handlers enforce */
export const sysctlSchema = schemas.sysctlSchema;
/** the machine JSON format: machine files and the inline machine of a scenario */
export const machineJsonSchema = schemas.machineJsonSchema;
