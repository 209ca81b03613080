package org.migdal.dm.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Collectors;

/** Reads the YAML configuration once; an unknown key or a bad value is an error naming the key and the reason. */
public final class ConfigLoader {
    private ConfigLoader() {
    }

    public static MigdalConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("configuration file " + file.toAbsolutePath() + " does not exist"
                    + " (give --config PATH, or start from config/migdal-dm.example.yaml)");
        } catch (IOException e) {
            throw new ConfigException("cannot read configuration file " + file.toAbsolutePath() + ": " + e.getMessage(), e);
        }
        return parse(text, file.toAbsolutePath().toString());
    }

    public static MigdalConfig parse(String yaml, String source) {
        YAMLMapper mapper = YAMLMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(com.fasterxml.jackson.databind.MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT) // threads: 2.5 is an error, not 2
                .build();
        try {
            // Jackson reports an unknown key in a record only after building it, so a record that refuses the
            // values it got (a misspelt required key) would hide the misspelling, and the line would be the
            // record's end: check every key first, with its own line.
            try (com.fasterxml.jackson.core.JsonParser p = mapper.createParser(yaml)) {
                if (p.nextToken() == com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                    checkKeys(p, MigdalConfig.class, "", source);
                }
            }
            MigdalConfig config = mapper.readValue(yaml, MigdalConfig.class);
            if (config == null) {
                throw new ConfigException(source + ": the configuration is empty");
            }
            return config;
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", "));
            throw new ConfigException(source + ": unknown key '" + path(e) + "'" + line(e)
                    + (known.isEmpty() ? "" : "; known keys here: " + known));
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause();
            String reason = cause instanceof ConfigException ? cause.getMessage() : String.valueOf(e.getOriginalMessage());
            throw new ConfigException(source + ": " + reason + line(e));
        } catch (JsonMappingException e) {
            throw new ConfigException(source + ": bad value for '" + path(e) + "'" + line(e) + ": " + e.getOriginalMessage());
        } catch (JacksonException e) {
            throw new ConfigException(source + ": not valid YAML" + line(e) + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException(source + ": cannot read the configuration: " + e.getMessage(), e);
        }
    }

    /** At the START_OBJECT of a {@code type} record: every key must be one of its components; recurses into records and lists of records. */
    private static void checkKeys(com.fasterxml.jackson.core.JsonParser p, Class<?> type, String path, String source) throws IOException {
        java.util.Map<String, java.lang.reflect.RecordComponent> known = new java.util.TreeMap<>();
        for (java.lang.reflect.RecordComponent c : type.getRecordComponents()) {
            // a component whose name Java reserves (notify) is spelt by its @JsonProperty
            com.fasterxml.jackson.annotation.JsonProperty json = c.getAccessor().getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class);
            known.put(json != null ? json.value() : c.getName(), c);
        }
        while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
            String name = p.currentName();
            java.lang.reflect.RecordComponent c = known.get(name);
            if (c == null) {
                throw new ConfigException(source + ": unknown key '" + path + name + "' (line " + p.currentTokenLocation().getLineNr()
                        + "); known keys here: " + String.join(", ", known.keySet()));
            }
            com.fasterxml.jackson.core.JsonToken t = p.nextToken();
            Class<?> element = null;
            if (c.getType() == java.util.List.class && c.getGenericType() instanceof java.lang.reflect.ParameterizedType pt
                    && pt.getActualTypeArguments()[0] instanceof Class<?> e && e.isRecord()) {
                element = e;
            }
            if (t == com.fasterxml.jackson.core.JsonToken.START_OBJECT && c.getType().isRecord()) {
                checkKeys(p, c.getType(), path + name + ".", source);
            } else if (t == com.fasterxml.jackson.core.JsonToken.START_ARRAY && element != null) {
                int i = 0;
                while ((t = p.nextToken()) != com.fasterxml.jackson.core.JsonToken.END_ARRAY) {
                    if (t == com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                        checkKeys(p, element, path + name + "[" + i + "].", source);
                    } else {
                        p.skipChildren();
                    }
                    i++;
                }
            } else {
                p.skipChildren();
            }
        }
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String line(JacksonException e) {
        return e.getLocation() != null && e.getLocation().getLineNr() > 0 ? " (line " + e.getLocation().getLineNr() + ")" : "";
    }
}
