"""Adds role bindings to an IAM policy as an API answered it, for the deployment scripts' setIamPolicy requests.

python3 iam_policy.py POLICY [--audit-secret-reads] MEMBER=ROLE ...

Each MEMBER=ROLE goes into the binding of ROLE without a condition, unless it is there. --audit-secret-reads also
turns on Secret Manager's data-access audit logs (a project's policy). Prints two lines: the changes, separated by
"; " (empty when there are none), then the setIamPolicy request body.
"""
import json
import sys

policy = json.loads(sys.argv[1] or "{}")
audit = "--audit-secret-reads" in sys.argv[2:]
changes = []
bindings = policy.setdefault("bindings", [])
for member, role in (grant.split("=", 1) for grant in sys.argv[2:] if grant != "--audit-secret-reads"):
    binding = next((b for b in bindings if b["role"] == role and "condition" not in b), None)
    if binding is None:
        binding = {"role": role, "members": []}
        bindings.append(binding)
    if member not in binding["members"]:
        binding["members"].append(member)
        changes.append(f"{role} for {member.split(':', 1)[1]}")
request = {"policy": policy}
if audit:
    configs = policy.setdefault("auditConfigs", [])
    secrets = next((c for c in configs if c["service"] == "secretmanager.googleapis.com"), None)
    if secrets is None:
        secrets = {"service": "secretmanager.googleapis.com", "auditLogConfigs": []}
        configs.append(secrets)
    if not any(c["logType"] == "DATA_READ" for c in secrets["auditLogConfigs"]):
        secrets["auditLogConfigs"].append({"logType": "DATA_READ"})
        changes.append("data-access audit logs for Secret Manager")
    # Conditional role bindings need version 3; audit configurations are written only when the mask names them.
    policy["version"] = 3
    request["updateMask"] = "bindings,etag,auditConfigs"
print("; ".join(changes))
print(json.dumps(request))
