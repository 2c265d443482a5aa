package io.firehosebridge.operations;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.stream.Stream;

import io.firehosebridge.delivery.config.DeliveryConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import io.smallrye.config.WithParentName;

/**
 * Every setting of every {@code @ConfigMapping} interface of the application, found in the compiled
 * classes directory (not on the runtime classpath), so that a mapping added anywhere is covered.
 */
final class ConfigMappings {

    /** One setting: its full property name and its {@code @WithDefault} value (null when it has none). */
    record Setting(String name, String defaultValue, boolean optional, Class<?> mapping) {
    }

    private ConfigMappings() {
    }

    /** The {@code @ConfigMapping} interfaces under the application's compiled classes. */
    static List<Class<?>> interfaces() {
        Path classes = classesDirectory();
        try (Stream<Path> files = Files.walk(classes)) {
            List<Class<?>> found = new ArrayList<>();
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                // Load only classes that name the annotation: loading everything would initialise nothing, but is slow.
                String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                if (!bytes.contains("Lio/smallrye/config/ConfigMapping;")) {
                    continue;
                }
                String name = classes.relativize(file).toString().replace(file.getFileSystem().getSeparator(), ".")
                        .replaceAll("\\.class$", "");
                Class<?> type = Class.forName(name, false, ConfigMappings.class.getClassLoader());
                if (type.isAnnotationPresent(ConfigMapping.class)) {
                    found.add(type);
                }
            }
            found.sort(Comparator.comparing(Class::getName));
            return found;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every setting of every mapping, in property-name order. */
    static List<Setting> settings() {
        List<Setting> all = new ArrayList<>();
        for (Class<?> mapping : interfaces()) {
            walk(mapping, mapping.getAnnotation(ConfigMapping.class).prefix(), mapping, all);
        }
        all.sort(Comparator.comparing(Setting::name));
        return all;
    }

    /** The prefixes of all mappings, e.g. {@code bridge.delivery}. */
    static List<String> prefixes() {
        return interfaces().stream().map(c -> c.getAnnotation(ConfigMapping.class).prefix()).toList();
    }

    private static void walk(Class<?> group, String prefix, Class<?> mapping, List<Setting> out) {
        Method[] methods = group.getMethods();
        Arrays.sort(methods, Comparator.comparing(Method::getName));
        for (Method m : methods) {
            if (Modifier.isStatic(m.getModifiers()) || m.isDefault() || m.getParameterCount() > 0 || m.isSynthetic()
                    || m.getDeclaringClass() == Object.class) {
                continue;
            }
            String name = m.isAnnotationPresent(WithName.class) ? m.getAnnotation(WithName.class).value() : kebab(m.getName());
            String full = m.isAnnotationPresent(WithParentName.class) ? prefix : prefix + "." + name;
            Class<?> raw = m.getReturnType();
            Type generic = m.getGenericReturnType();
            WithDefault def = m.getAnnotation(WithDefault.class);
            if (raw == Optional.class) {
                Class<?> inner = typeArgument(generic, 0);
                if (isGroup(inner)) {
                    walk(inner, full, mapping, out);
                } else {
                    out.add(new Setting(full, null, true, mapping));
                }
            } else if (raw == OptionalInt.class || raw == OptionalLong.class || raw == OptionalDouble.class) {
                out.add(new Setting(full, null, true, mapping));
            } else if (Map.class.isAssignableFrom(raw)) {
                Class<?> value = typeArgument(generic, 1);
                if (isGroup(value)) {
                    walk(value, full + ".*", mapping, out);
                } else {
                    out.add(new Setting(full + ".*", def == null ? null : def.value(), def == null, mapping));
                }
            } else if (Collection.class.isAssignableFrom(raw) && isGroup(typeArgument(generic, 0))) {
                walk(typeArgument(generic, 0), full + "[*]", mapping, out);
            } else if (isGroup(raw)) {
                walk(raw, full, mapping, out);
            } else {
                out.add(new Setting(full, def == null ? null : def.value(), false, mapping));
            }
        }
    }

    private static boolean isGroup(Class<?> type) {
        return type != null && type.isInterface() && !type.getName().startsWith("java.");
    }

    private static Class<?> typeArgument(Type type, int index) {
        if (type instanceof ParameterizedType p && p.getActualTypeArguments()[index] instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p && p.getActualTypeArguments()[index] instanceof ParameterizedType inner) {
            return (Class<?>) inner.getRawType();
        }
        return null;
    }

    /** The property name SmallRye Config derives from a method name: {@code maxBatchRecords} → {@code max-batch-records}. */
    static String kebab(String methodName) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < methodName.length(); i++) {
            char c = methodName.charAt(i);
            if (Character.isUpperCase(c)) {
                if (i > 0) {
                    b.append('-');
                }
                b.append(Character.toLowerCase(c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** The environment variable Quarkus maps to a property: {@code a.b-c.d} → {@code A_B_C_D}. */
    static String envName(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(java.util.Locale.ROOT);
    }

    /** The application's compiled classes (target/classes), found from a class that lives there. */
    static Path classesDirectory() {
        try {
            return Path.of(DeliveryConfig.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The project's root directory (where pom.xml is). */
    static Path projectDirectory() {
        Path dir = classesDirectory();
        while (dir != null && !Files.exists(dir.resolve("pom.xml"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no pom.xml above " + classesDirectory());
        }
        return dir;
    }
}
