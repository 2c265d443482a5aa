package io.firehosebridge.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.junit.jupiter.api.Test;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;

import io.firehosebridge.aws.AwsClients;
import io.firehosebridge.kafka.KafkaClients;
import software.amazon.awssdk.core.SdkClient;

/**
 * The shape of the product's packages, checked on the compiled classes: no package depends back on one that depends on it,
 * nothing in the product depends on dev or test code, only {@link KafkaClients} builds Kafka clients or names the brokers'
 * address setting, and only the HTTP edges know HTTP types. Plain JUnit tests that check ArchUnit rules: ArchUnit's own
 * engine (archunit-junit6, {@code @ArchTest}) is not used, because Surefire 3.5.3 does not run {@code @ArchTest} fields
 * (SUREFIRE-2298; reported fixed in 3.5.4): tried here, with a violation of every rule the build passed, only the
 * {@code @ArchTest} methods having run.
 */
class ArchitectureTest {

    /** The test frameworks: what only test code may use. */
    private static final String[] TEST_FRAMEWORKS = { "org.junit..", "org.assertj..", "org.awaitility..", "io.restassured..",
            "org.openqa.selenium..", "io.quarkus.test..", "com.tngtech.archunit.." };
    /** Where the API answers HTTP requests: the reconciliation API and the coverage page's resource. */
    private static final String[] HTTP_EDGES = { "io.firehosebridge.reconcile.api", "io.firehosebridge.coverage", "io.firehosebridge.identity" };
    /** Server-side HTTP types: resources, filters, exception mappers, their OpenAPI documentation, routes. */
    private static final String[] HTTP_TYPES = { "jakarta.ws.rs..", "org.jboss.resteasy..", "org.eclipse.microprofile.openapi..",
            "io.quarkus.smallrye.openapi..", "io.vertx.ext.web..", "io.quarkus.vertx.web..", "jakarta.servlet.." };
    /** The settings that hold the brokers' address: only KafkaClients reads them, to build a client. */
    private static final List<String> BROKERS_ADDRESS_SETTINGS = List.of("bootstrap.servers", "kafka.bootstrap.servers");

    /** Compiled from src/main (not from src/test). The local Firehose and the demo are separate programs under deploy/local. */
    private static final DescribedPredicate<JavaClass> PRODUCT = DescribedPredicate.describe("are product code", ArchitectureTest::isProduct);

    /** Test classes and the test frameworks. */
    private static final DescribedPredicate<JavaClass> DEV_OR_TEST_CODE = DescribedPredicate.describe("are dev or test code",
            c -> isTestClass(c) || inAnyPackage(c, TEST_FRAMEWORKS));

    /** A constructor of a Kafka consumer, producer or admin client, or its static factory ({@code Admin.create}). */
    private static final DescribedPredicate<JavaCall<?>> BUILDS_A_KAFKA_CLIENT = DescribedPredicate.describe(
            "build a Kafka consumer, producer or admin client", call -> {
                JavaClass owner = call.getTarget().getOwner();
                boolean client = owner.isAssignableTo(Consumer.class) || owner.isAssignableTo(Producer.class)
                        || owner.isAssignableTo(Admin.class);
                return client && (call.getTarget().getName().equals("<init>") || call.getTarget().getName().equals("create"));
            });

    /** A call of an AWS SDK client's {@code builder()} or {@code create()} ({@code S3Client.builder()}). */
    private static final DescribedPredicate<JavaMethodCall> BUILDS_AN_AWS_CLIENT = DescribedPredicate.describe(
            "build an AWS SDK client", call -> call.getTarget().getOwner().isAssignableTo(SdkClient.class)
                    && (call.getTarget().getName().equals("builder") || call.getTarget().getName().equals("create")));

    /**
     * Names a setting of the brokers' address: a string constant equal to one of {@link #BROKERS_ADDRESS_SETTINGS} in its class
     * file. That is a literal such as {@code "bootstrap.servers"}, a Kafka constant such as
     * {@code ProducerConfig.BOOTSTRAP_SERVERS_CONFIG} (the compiler copies it in), or an annotation value such as
     * {@code @ConfigProperty(name = "kafka.bootstrap.servers")}. ArchUnit does not model string constants, so the class file's
     * constant pool is searched for them as CONSTANT_Utf8 entries (tag 1, two bytes of length, the bytes).
     */
    private static final ArchCondition<JavaClass> NAME_THE_BROKERS_ADDRESS = new ArchCondition<>(
            "name the brokers' address setting (" + String.join(" or ", BROKERS_ADDRESS_SETTINGS) + ")") {
        @Override
        public void check(JavaClass c, ConditionEvents events) {
            String named = brokersAddressSettingNamedBy(c);
            if (named != null) {
                events.add(SimpleConditionEvent.satisfied(c, c.getName() + " names \"" + named + "\""));
            }
        }
    };

    /** One slice per product package (sub-packages apart); everything else is left out. */
    private static final SliceAssignment PRODUCT_PACKAGES = new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass c) {
            return isProduct(c) ? SliceIdentifier.of(c.getPackageName()) : SliceIdentifier.ignore();
        }

        @Override
        public String getDescription() {
            return "the product's packages";
        }
    };

    /** Every class of the project, src/main's and src/test's: the rules pick the product out of them. */
    private static final JavaClasses CLASSES = new ClassFileImporter().importPackages("io.firehosebridge");

    @Test
    void productPackagesHaveNoCycles() {
        slices().assignedFrom(PRODUCT_PACKAGES).should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void productDependsOnNoDevOrTestCode() {
        noClasses().that(PRODUCT).should().dependOnClassesThat(DEV_OR_TEST_CODE).check(CLASSES);
    }

    @Test
    void onlyKafkaClientsBuildsKafkaClients() {
        noClasses().that(PRODUCT).and().doNotBelongToAnyOf(KafkaClients.class)
                .should().callCodeUnitWhere(BUILDS_A_KAFKA_CLIENT)
                .orShould(NAME_THE_BROKERS_ADDRESS)
                .because("every Kafka client must get the shared connection and security settings")
                .check(CLASSES);
    }

    @Test
    void onlyTheHttpEdgesKnowHttpTypes() {
        noClasses().that(PRODUCT).and().resideOutsideOfPackages(HTTP_EDGES)
                .should().dependOnClassesThat().resideInAnyPackage(HTTP_TYPES)
                .orShould().dependOnClassesThat().resideInAPackage("io.firehosebridge.reconcile.api")
                .because("jobs, scan, ledger and repair speak in ReconcileException; the edges turn it into HTTP answers")
                .check(CLASSES);
    }

    @Test
    void onlyAwsClientsBuildsAwsClients() {
        noClasses().that(PRODUCT).and().doNotBelongToAnyOf(AwsClients.class)
                .should().callMethodWhere(BUILDS_AN_AWS_CLIENT)
                .because("every AWS client must get the one credentials provider and the shared region")
                .check(CLASSES);
        assertThat(CLASSES.get(AwsClients.class).getMethodCallsFromSelf().stream().filter(BUILDS_AN_AWS_CLIENT)
                .map(call -> call.getTarget().getOwner().getSimpleName()).distinct().sorted().toList())
                .as("the rule sees AwsClients build each client").containsExactly("FirehoseAsyncClient", "S3Client");
    }

    /** So that the Kafka rule cannot pass by seeing no client built and no address named at all. */
    @Test
    void theKafkaRuleSeesKafkaClientsBuildEachKindOfClientAndNameTheAddress() {
        List<String> built = CLASSES.get(KafkaClients.class).getCodeUnitCallsFromSelf().stream().filter(BUILDS_A_KAFKA_CLIENT)
                .map(call -> call.getTarget().getOwner().getSimpleName()).distinct().sorted().toList();
        assertThat(built).containsExactly("Admin", "KafkaConsumer", "KafkaProducer");
        assertThat(brokersAddressSettingNamedBy(CLASSES.get(KafkaClients.class))).isEqualTo("bootstrap.servers");
    }

    /** So that the rules cannot pass by seeing no product, nor count tests as product. */
    @Test
    void theProductIsWhatSrcMainCompiles() {
        assertThat(CLASSES.that(PRODUCT)).extracting(JavaClass::getSimpleName)
                .contains("DeliveryPipeline", "KafkaClients", "ReconciliationJobs", "ApiError")
                .doesNotContain(ArchitectureTest.class.getSimpleName(), "KafkaClientsTest");
        assertThat(CLASSES.that(DEV_OR_TEST_CODE)).extracting(JavaClass::getSimpleName).contains("KafkaClientsTest");
    }

    private static boolean isProduct(JavaClass c) {
        return c.getPackageName().startsWith("io.firehosebridge") && !isTestClass(c) && c.getSource().isPresent();
    }

    private static boolean isTestClass(JavaClass c) {
        return c.getSource().map(s -> !new ImportOption.DoNotIncludeTests().includes(Location.of(s.getUri()))).orElse(false);
    }

    private static boolean inAnyPackage(JavaClass c, String[] packages) {
        return JavaClass.Predicates.resideInAnyPackage(packages).test(c);
    }

    /** The first of {@link #BROKERS_ADDRESS_SETTINGS} that the class file of {@code c} holds as a string constant, or null. */
    private static String brokersAddressSettingNamedBy(JavaClass c) {
        byte[] classFile;
        try (InputStream in = c.getSource().orElseThrow().getUri().toURL().openStream()) {
            classFile = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the class file of " + c.getName(), e);
        }
        for (String setting : BROKERS_ADDRESS_SETTINGS) {
            byte[] text = setting.getBytes(StandardCharsets.UTF_8);
            byte[] entry = new byte[text.length + 3];
            entry[0] = 1;
            entry[1] = (byte) (text.length >> 8);
            entry[2] = (byte) text.length;
            System.arraycopy(text, 0, entry, 3, text.length);
            if (indexOf(classFile, entry) >= 0) {
                return setting;
            }
        }
        return null;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer: for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
