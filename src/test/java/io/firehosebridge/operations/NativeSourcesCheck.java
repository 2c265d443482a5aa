package io.firehosebridge.operations;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

import javax.security.auth.spi.LoginModule;
import javax.security.sasl.SaslClientFactory;

import org.apache.kafka.common.security.auth.AuthenticateCallbackHandler;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.annotations.RegisterForReflection;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.msk.auth.iam.IAMClientCallbackHandler;
import software.amazon.msk.auth.iam.IAMLoginModule;
import software.amazon.msk.auth.iam.internals.region.ConfigurableRegionProvider;

/**
 * Checks the output of Quarkus's native build steps, run without GraalVM ({@code ./mvnw -Pnative-sources verify}, which sets
 * {@code quarkus.native.enabled=true} and {@code quarkus.native.sources-only=true}): the image sources exist, and the reflection
 * configuration they hand to {@code native-image} registers every type the service (de)serialises with Jackson or gives to the
 * AWS SDK, and every class an MSK IAM login creates by name. Not part of the default build: the default build packages the JVM
 * application instead.
 */
class NativeSourcesCheck {

    private static final java.nio.file.Path SOURCES = java.nio.file.Path.of("target", "native-sources");
    private static final java.nio.file.Path CLASSES = java.nio.file.Path.of("target", "classes");
    private static final String PRODUCT = "io.firehosebridge.";
    /** A class name the SDK keeps as a string constant for a factory in another module (STS, SSO). */
    private static final Pattern SDK_FACTORY = Pattern.compile("software\\.amazon\\.awssdk\\.services\\.[A-Za-z0-9_.]+Factory");

    @Test
    void nativeBuildStepsWriteTheImageSources() throws IOException {
        String args = Files.readString(SOURCES.resolve("native-image.args"));
        assertThat(args).contains("--no-fallback").contains("io.quarkus.runner.Feature");
        String jar = args.substring(args.lastIndexOf("-jar ") + 5).trim();
        assertThat(SOURCES.resolve(jar)).as("the runner jar named by native-image.args").isRegularFile();
        try (Stream<java.nio.file.Path> lib = Files.list(SOURCES.resolve("lib"))) {
            assertThat(lib.count()).as("libraries beside the runner jar").isGreaterThan(50);
        }
    }

    @Test
    void everyJsonTypeAndSdkInterceptorIsRegisteredForReflection() throws Exception {
        Map<String, JsonNode> registered = reflectionConfig();
        Set<Class<?>> roots = roots();
        // Known members of each kind of root, so that a scan that finds nothing cannot pass. The product has no SDK
        // interceptor since PutRecordBatch left the SDK's pipeline (issue 28); the scan still finds any that comes back.
        assertThat(roots).extracting(Class::getName).contains(PRODUCT + "reconcile.ledger.LedgerEntry", PRODUCT + "reconcile.api.ApiError",
                PRODUCT + "reconcile.scan.PartitionReport", PRODUCT + "reconcile.jobs.JobRequest");
        Set<Class<?>> needed = closure(roots);
        Set<String> unregistered = new TreeSet<>();
        for (Class<?> c : needed) {
            JsonNode entry = registered.get(c.getName());
            if (entry == null || !entry.path("allDeclaredConstructors").asBoolean() || !entry.path("allDeclaredMethods").asBoolean()
                    || (c.isRecord() && !entry.path("allDeclaredFields").asBoolean())) {
                unregistered.add(c.getName() + (entry == null ? " (absent)" : " (" + entry + ")"));
            }
        }
        assertThat(unregistered).as("types the native image needs by reflection (%d checked), not registered with constructors, methods "
                + "and fields: add @RegisterForReflection", needed.size()).isEmpty();
    }

    @Test
    void whatAnMskIamLoginCreatesByNameIsRegisteredForReflection() throws Exception {
        // Kafka, JAAS and javax.security.sasl create these from a class name in a setting or in a security provider's entry;
        // the library builds its region provider from the JAAS option awsMskRegionProvider the same way.
        List<Class<?>> byName = List.of(LoginModule.class, AuthenticateCallbackHandler.class, SaslClientFactory.class,
                ConfigurableRegionProvider.class);
        Set<String> needed = new TreeSet<>();
        try (ZipFile jar = new ZipFile(libraryJar("software.amazon.msk.aws-msk-iam-auth-").toFile())) {
            for (String name : classNames(jar)) {
                Class<?> c = Class.forName(name, false, NativeSourcesCheck.class.getClassLoader());
                if (Modifier.isPublic(c.getModifiers()) && !c.isInterface() && !Modifier.isAbstract(c.getModifiers())
                        && byName.stream().anyMatch(b -> b.isAssignableFrom(c))) {
                    needed.add(name);
                }
            }
        }
        assertThat(needed).contains(IAMLoginModule.class.getName(), IAMClientCallbackHandler.class.getName(),
                "software.amazon.msk.auth.iam.internals.IAMSaslClient$IAMSaslClientFactory");
        // The SDK's credentials chain (the login's and the AWS clients') loads its STS and SSO factories by name; a factory whose
        // module is on the classpath must be registered, by the module's own metadata or by the service.
        Set<String> factories = new TreeSet<>();
        try (ZipFile jar = new ZipFile(libraryJar("software.amazon.awssdk.auth-").toFile())) {
            for (String name : classNames(jar)) {
                String constants = new String(jar.getInputStream(jar.getEntry(name.replace('.', '/') + ".class")).readAllBytes(),
                        StandardCharsets.ISO_8859_1);
                Matcher m = SDK_FACTORY.matcher(constants);
                while (m.find()) {
                    factories.add(m.group());
                }
            }
        }
        factories.removeIf(name -> !onClasspath(name));
        assertThat(factories).contains("software.amazon.awssdk.services.sts.internal.StsWebIdentityCredentialsProviderFactory");
        needed.addAll(factories);

        Set<String> constructible = new java.util.HashSet<>();
        for (Map<String, JsonNode> config : List.of(reflectionConfig(), librariesOwnReflectionConfig())) {
            config.forEach((name, entry) -> {
                if (constructible(entry)) {
                    constructible.add(name);
                }
            });
        }
        Set<String> unregistered = new TreeSet<>(needed);
        unregistered.removeAll(constructible);
        assertThat(unregistered).as("classes an MSK IAM login creates by name (%d found), without a constructor registered for reflection: "
                + "add them to io.firehosebridge.kafka.MskIamReflection", needed.size()).isEmpty();
    }

    /** The reflection configuration Quarkus wrote into the runner jar for native-image. */
    private static Map<String, JsonNode> reflectionConfig() throws IOException {
        String args = Files.readString(SOURCES.resolve("native-image.args"));
        java.nio.file.Path jar = SOURCES.resolve(args.substring(args.lastIndexOf("-jar ") + 5).trim());
        Map<String, JsonNode> byName = new HashMap<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            var entry = zip.getEntry("META-INF/native-image/reflect-config.json");
            assertThat(entry).as("reflect-config.json in " + jar).isNotNull();
            for (JsonNode e : new ObjectMapper().readTree(zip.getInputStream(entry))) {
                byName.put(e.path("name").asText(), e);
            }
        }
        return byName;
    }

    /** Reflection entries that the jars in {@code lib/} carry for native-image themselves (it reads them from the classpath). */
    private static Map<String, JsonNode> librariesOwnReflectionConfig() throws IOException {
        Map<String, JsonNode> byName = new HashMap<>();
        List<java.nio.file.Path> jars;
        try (Stream<java.nio.file.Path> lib = Files.list(SOURCES.resolve("lib"))) {
            jars = lib.filter(f -> f.toString().endsWith(".jar")).toList();
        }
        for (java.nio.file.Path jar : jars) {
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                for (var entry : java.util.Collections.list(zip.entries())) {
                    String name = entry.getName();
                    if (!name.startsWith("META-INF/native-image/")) {
                        continue;
                    }
                    JsonNode entries = name.endsWith("/reflect-config.json") ? new ObjectMapper().readTree(zip.getInputStream(entry))
                            : name.endsWith("/reachability-metadata.json")
                                    ? new ObjectMapper().readTree(zip.getInputStream(entry)).path("reflection")
                                    : null;
                    if (entries != null) {
                        for (JsonNode e : entries) {
                            byName.merge(e.has("type") ? e.path("type").asText() : e.path("name").asText(), e,
                                    (a, b) -> constructible(a) ? a : b);
                        }
                    }
                }
            }
        }
        return byName;
    }

    /** Whether an entry lets native-image code create the class through its constructors. */
    private static boolean constructible(JsonNode entry) {
        if (entry.path("allDeclaredConstructors").asBoolean() || entry.path("allPublicConstructors").asBoolean()) {
            return true;
        }
        for (JsonNode m : entry.path("methods")) {
            if ("<init>".equals(m.path("name").asText())) {
                return true;
            }
        }
        return false;
    }

    /** The one jar in {@code lib/} whose name starts with the given group and artifact. */
    private static java.nio.file.Path libraryJar(String prefix) throws IOException {
        try (Stream<java.nio.file.Path> lib = Files.list(SOURCES.resolve("lib"))) {
            List<java.nio.file.Path> found = lib.filter(f -> f.getFileName().toString().startsWith(prefix)).toList();
            assertThat(found).as("lib/" + prefix + "*.jar").hasSize(1);
            return found.get(0);
        }
    }

    private static List<String> classNames(ZipFile jar) {
        return jar.stream().map(e -> e.getName()).filter(n -> n.endsWith(".class") && !n.startsWith("META-INF/") && !n.contains("-info"))
                .map(n -> n.substring(0, n.length() - ".class".length()).replace('/', '.')).toList();
    }

    private static boolean onClasspath(String name) {
        try {
            Class.forName(name, false, NativeSourcesCheck.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /**
     * What needs reflection at the start: types marked {@code @RegisterForReflection} (or named by one), records carrying Jackson
     * annotations, the records the HTTP resources take and return, and every SDK execution interceptor.
     */
    private static Set<Class<?>> roots() throws Exception {
        Set<Class<?>> roots = new java.util.HashSet<>();
        for (Class<?> c : productClasses()) {
            RegisterForReflection r = c.getAnnotation(RegisterForReflection.class);
            if (r != null) {
                if (r.targets().length == 0 && r.classNames().length == 0) {
                    roots.add(c);
                }
                roots.addAll(List.of(r.targets()));
                for (String name : r.classNames()) {
                    roots.add(Class.forName(name, false, NativeSourcesCheck.class.getClassLoader()));
                }
            }
            if (c.isRecord() && (c.isAnnotationPresent(JsonInclude.class) || Stream.of(c.getRecordComponents())
                    .anyMatch(rc -> rc.isAnnotationPresent(JsonProperty.class)))) {
                roots.add(c);
            }
            if (ExecutionInterceptor.class.isAssignableFrom(c) && !c.isInterface() && !Modifier.isAbstract(c.getModifiers())) {
                roots.add(c);
            }
            if (c.isAnnotationPresent(jakarta.ws.rs.Path.class)) {
                for (Method m : c.getDeclaredMethods()) {
                    if (Modifier.isPublic(m.getModifiers())) {
                        collect(m.getGenericReturnType(), roots);
                        for (Parameter p : m.getParameters()) {
                            collect(p.getParameterizedType(), roots);
                        }
                    }
                }
            }
        }
        roots.removeIf(c -> !c.getName().startsWith(PRODUCT) || !(c.isRecord() || c.isEnum() || ExecutionInterceptor.class.isAssignableFrom(c)
                || c.isAnnotationPresent(RegisterForReflection.class)));
        return roots;
    }

    /** The roots plus every product record and enum their record components reach (through lists, maps and arrays too). */
    private static Set<Class<?>> closure(Set<Class<?>> roots) {
        Set<Class<?>> seen = new java.util.HashSet<>();
        Deque<Class<?>> todo = new ArrayDeque<>(roots);
        while (!todo.isEmpty()) {
            Class<?> c = todo.pop();
            if (!seen.add(c) || !c.isRecord()) {
                continue;
            }
            Set<Class<?>> reached = new java.util.HashSet<>();
            for (RecordComponent rc : c.getRecordComponents()) {
                collect(rc.getGenericType(), reached);
            }
            reached.stream().filter(r -> r.getName().startsWith(PRODUCT) && (r.isRecord() || r.isEnum())).forEach(todo::push);
        }
        return seen;
    }

    private static void collect(Type type, Set<Class<?>> into) {
        if (type instanceof Class<?> c) {
            if (c.isArray()) {
                collect(c.getComponentType(), into);
            } else {
                into.add(c);
            }
        } else if (type instanceof ParameterizedType p) {
            collect(p.getRawType(), into);
            for (Type arg : p.getActualTypeArguments()) {
                collect(arg, into);
            }
        } else if (type instanceof WildcardType w) {
            for (Type bound : w.getUpperBounds()) {
                collect(bound, into);
            }
        }
    }

    private static List<Class<?>> productClasses() throws IOException {
        try (Stream<java.nio.file.Path> files = Files.walk(CLASSES.resolve("io/firehosebridge"))) {
            return files.filter(f -> f.toString().endsWith(".class")).map(f -> CLASSES.relativize(f).toString())
                    .map(f -> f.substring(0, f.length() - ".class".length()).replace('/', '.')).map(NativeSourcesCheck::load).toList();
        }
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, NativeSourcesCheck.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(name, e);
        }
    }
}
