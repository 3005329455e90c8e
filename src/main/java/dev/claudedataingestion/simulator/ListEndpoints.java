package dev.claudedataingestion.simulator;

import static dev.claudedataingestion.simulator.Parameters.first;
import static dev.claudedataingestion.simulator.Parameters.limit;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The list endpoints (workspaces, API keys, users), paged by {@code after_id}, from the organization. */
final class ListEndpoints {

    private final SyntheticOrganization organization;

    ListEndpoints(SyntheticOrganization organization) {
        this.organization = organization;
    }

    private interface ListObject {
        String id();

        void write(JsonGenerator json) throws IOException;
    }

    private static JsonBody list(Map<String, List<String>> query, List<ListObject> objects) {
        int limit = limit(query, 20, 1000);
        String after = first(query, "after_id");
        int from = 0;
        if (after != null) {
            from = -1;
            for (int i = 0; i < objects.size(); i++) {
                if (objects.get(i).id().equals(after)) {
                    from = i + 1;
                }
            }
            if (from < 0) {
                throw new ApiError(400, "invalid_request_error", "after_id: no such object");
            }
        }
        List<ListObject> slice = objects.subList(Math.min(from, objects.size()), Math.min(from + limit, objects.size()));
        boolean hasMore = from + limit < objects.size();
        return json -> {
            json.writeStartObject();
            json.writeArrayFieldStart("data");
            for (ListObject object : slice) {
                object.write(json);
            }
            json.writeEndArray();
            json.writeBooleanField("has_more", hasMore);
            json.writeStringField("first_id", slice.isEmpty() ? null : slice.get(0).id());
            json.writeStringField("last_id", slice.isEmpty() ? null : slice.get(slice.size() - 1).id());
            json.writeEndObject();
        };
    }

    /** {@code GET /v1/organizations/workspaces}, archived ones and the default one when asked for. */
    JsonBody workspaces(Map<String, List<String>> query) {
        return list(query, workspaceObjects(query));
    }

    /** {@code GET /v1/organizations/api_keys}; {@code scoped}: in the newer shape, with {@code scope}. */
    JsonBody apiKeys(Map<String, List<String>> query, boolean scoped) {
        return list(query, apiKeyObjects(scoped));
    }

    /** {@code GET /v1/organizations/users}. */
    JsonBody users(Map<String, List<String>> query) {
        return list(query, userObjects());
    }

    private List<ListObject> workspaceObjects(Map<String, List<String>> query) {
        boolean archived = "true".equals(first(query, "include_archived"));
        List<ListObject> objects = new ArrayList<>();
        if ("true".equals(first(query, "include_default"))) {
            Instant created = organization.workspaces().stream().map(SyntheticOrganization.Workspace::createdAt)
                    .min(Instant::compareTo).orElse(Instant.EPOCH);
            objects.add(object(organization.defaultWorkspaceId(), json -> {
                json.writeStringField("type", "workspace");
                json.writeStringField("name", "Default Workspace");
                json.writeStringField("created_at", created.toString());
                json.writeNullField("archived_at");
                json.writeStringField("display_color", "#6C5BB9");
            }));
        }
        for (SyntheticOrganization.Workspace workspace : organization.workspaces()) {
            if (workspace.archivedAt() != null && !archived) {
                continue;
            }
            objects.add(object(workspace.id(), json -> {
                json.writeStringField("type", "workspace");
                json.writeStringField("name", workspace.name());
                json.writeStringField("created_at", workspace.createdAt().toString());
                json.writeStringField("archived_at",
                        workspace.archivedAt() == null ? null : workspace.archivedAt().toString());
                json.writeStringField("display_color", "#6C5BB9");
            }));
        }
        return objects;
    }

    private List<ListObject> apiKeyObjects(boolean scoped) {
        List<ListObject> objects = new ArrayList<>();
        for (SyntheticOrganization.ApiKey key : organization.apiKeys()) {
            objects.add(object(key.id(), json -> {
                json.writeStringField("type", "api_key");
                json.writeStringField("name", key.name());
                if (scoped) {
                    json.writeObjectFieldStart("scope");
                    json.writeStringField("type", key.workspaceId() == null ? "organization" : "workspace");
                    json.writeStringField("workspace_id", key.workspaceId());
                    json.writeEndObject();
                    json.writeNullField("expires_at");
                } else {
                    json.writeStringField("workspace_id", key.workspaceId());
                }
                json.writeStringField("created_at", key.createdAt().toString());
                json.writeObjectFieldStart("created_by");
                json.writeStringField("id", organization.users().isEmpty() ? null : organization.users().get(0).id());
                json.writeStringField("type", "user");
                json.writeEndObject();
                json.writeStringField("partial_key_hint", "sk-ant-api03-…" + key.id().substring(key.id().length() - 4));
                json.writeStringField("status", key.status());
            }));
        }
        return objects;
    }

    private List<ListObject> userObjects() {
        List<ListObject> objects = new ArrayList<>();
        for (SyntheticOrganization.User user : organization.users()) {
            objects.add(object(user.id(), json -> {
                json.writeStringField("type", "user");
                json.writeStringField("email", user.email());
                json.writeStringField("name", user.name());
                json.writeStringField("role", user.role());
                json.writeStringField("added_at", user.addedAt().toString());
            }));
        }
        return objects;
    }

    private interface Fields {
        void write(JsonGenerator json) throws IOException;
    }

    private static ListObject object(String id, Fields fields) {
        return new ListObject() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public void write(JsonGenerator json) throws IOException {
                json.writeStartObject();
                json.writeStringField("id", id);
                fields.write(json);
                json.writeEndObject();
            }
        };
    }
}
