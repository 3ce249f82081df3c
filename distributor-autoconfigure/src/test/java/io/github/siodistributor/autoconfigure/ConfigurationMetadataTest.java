package io.github.siodistributor.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.BeanWrapper;
import org.springframework.beans.PropertyAccessorFactory;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.core.convert.TypeDescriptor;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The configuration metadata in the jar (what IDEs complete) describes every {@code distributor.*} property,
 * gives the default the code really uses wherever there is a fixed one, and docs/configuration.md lists them all.
 */
class ConfigurationMetadataTest {

    /** Defaults computed at start-up: a random id, the number of cores, absent (all interfaces, the beans' namespaces). */
    private static final Set<String> WITHOUT_FIXED_DEFAULT = Set.of("distributor.worker.id",
            "distributor.backend.handler-threads");

    private static Map<String, JsonNode> metadata;

    @BeforeAll
    static void readMetadata() throws Exception {
        try (InputStream in = DistributorProperties.class.getResourceAsStream(
                "/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("the configuration processor's output").isNotNull();
            metadata = new LinkedHashMap<>();
            JsonMapper.builder().build().readTree(in).path("properties").forEach(property -> metadata.put(
                    property.path("name").asString(), property));
        }
    }

    private static List<String> distributorProperties() {
        return metadata.keySet().stream().filter(name -> name.startsWith("distributor.")).toList();
    }

    @Test
    void everyPropertyHasADescription() {
        assertThat(distributorProperties()).hasSizeGreaterThan(25);
        List<String> undescribed = distributorProperties().stream()
                .filter(name -> metadata.get(name).path("description").asString("").isBlank()).toList();
        assertThat(undescribed).as("properties without a description (javadoc on the field)").isEmpty();
    }

    @Test
    void everyFixedDefaultIsInTheMetadataAndIsTheOneTheCodeUses() {
        BeanWrapper defaults = PropertyAccessorFactory.forBeanPropertyAccess(new DistributorProperties());
        List<String> problems = new ArrayList<>();
        for (String name : distributorProperties()) {
            String path = beanPath(name);
            Object actual = defaults.getPropertyValue(path);
            JsonNode documented = metadata.get(name).get("defaultValue");
            boolean hasDefault = actual != null && !(actual instanceof Collection<?> empty && empty.isEmpty());
            if (!hasDefault || WITHOUT_FIXED_DEFAULT.contains(name)) {
                if (documented != null && !WITHOUT_FIXED_DEFAULT.contains(name)) {
                    problems.add(name + " documents default " + documented + " but has none");
                }
                continue;
            }
            if (documented == null) {
                problems.add(name + " has default " + actual + " but the metadata gives none "
                        + "(add it to additional-spring-configuration-metadata.json)");
                continue;
            }
            TypeDescriptor type = defaults.getPropertyTypeDescriptor(path);
            Object converted = ApplicationConversionService.getSharedInstance().convert(documented.isArray()
                    ? String.join(",", documented.valueStream().map(JsonNode::asString).toList())
                    : documented.asString(), TypeDescriptor.valueOf(String.class), type);
            if (!actual.equals(converted)) {
                problems.add(name + " documents default " + documented + " but uses " + actual);
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void theConfigurationPageListsEveryProperty() throws Exception {
        String page = Files.readString(Path.of("..", "docs", "configuration.md"));
        List<String> missing = distributorProperties().stream().filter(name -> !page.contains("`" + name + "`"))
                .toList();
        assertThat(missing).as("properties missing from docs/configuration.md").isEmpty();
    }

    /** distributor.redis.outage.buffer-limit → redis.outage.bufferLimit */
    private static String beanPath(String name) {
        StringBuilder path = new StringBuilder();
        boolean upper = false;
        for (char c : name.substring("distributor.".length()).toCharArray()) {
            if (c == '-') {
                upper = true;
            } else {
                path.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return path.toString();
    }
}
