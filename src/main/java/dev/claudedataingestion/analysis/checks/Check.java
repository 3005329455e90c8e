package dev.claudedataingestion.analysis.checks;

/** One data check of an organization: what it reads through the context, and what it found. */
interface Check {

    CheckResult run(CheckContext context);
}
