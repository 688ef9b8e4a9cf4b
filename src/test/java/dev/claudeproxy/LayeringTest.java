package dev.claudeproxy;

import static com.tngtech.archunit.core.domain.JavaCall.Predicates.target;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import jakarta.json.Json;
import jakarta.json.bind.JsonbBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package layering, checked on the compiled classes so that it stops depending on memory
 * (fully qualified names and static imports included). From the bottom: {@code json}; the wire
 * shapes {@code anthropic}, {@code openai}, {@code responses}, {@code sse}, {@code error}; {@code provider} (what one
 * upstream needs: profile, target, thinking signatures), readable by all; {@code config};
 * {@code route} and {@code upstream} (the HTTP client); {@code convert}, pure; {@code call}, the
 * call policy; beside the pipeline, {@code identity} (sign-in), {@code policy} (pure decisions on
 * a caller), {@code ledger} (the only package that touches the database) and {@code otlp};
 * {@code servlet} on top.
 */
class LayeringTest {

    private static JavaClasses gateway;

    @BeforeAll
    static void importClasses() {
        gateway = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.claudeproxy");
    }

    @Test
    void packagesFormNoCycle() {
        slices().matching("dev.claudeproxy.(*)..").should().beFreeOfCycles().check(gateway);
    }

    @Test
    void providerKnowledgeDependsOnNoOtherLayer() {
        noClasses().that().resideInAPackage("..provider..").should().dependOnClassesThat()
                .resideInAnyPackage("..config..", "..convert..", "..upstream..", "..call..", "..route..", "..servlet..")
                .check(gateway);
    }

    @Test
    void theResponsesApisShapesDependOnNoOtherLayer() {
        noClasses().that().resideInAPackage("..responses..").should().dependOnClassesThat()
                .resideInAnyPackage("..anthropic..", "..openai..", "..provider..", "..config..", "..convert..",
                        "..upstream..", "..call..", "..route..", "..servlet..")
                .check(gateway);
    }

    @Test
    void configurationKnowsNothingOfCallsOrConversion() {
        noClasses().that().resideInAPackage("..config..").should().dependOnClassesThat()
                .resideInAnyPackage("..upstream..", "..call..", "..convert..", "..route..", "..servlet..")
                .check(gateway);
    }

    @Test
    void identityKnowsOnlyItsSettingsAndErrors() {
        noClasses().that().resideInAPackage("..identity..").should().dependOnClassesThat()
                .resideInAnyPackage("..upstream..", "..call..", "..convert..", "..route..", "..servlet..", "..anthropic..",
                        "..openai..", "jakarta.servlet..")
                .check(gateway);
    }

    @Test
    void policyIsAPureDecisionOnACaller() {
        noClasses().that().resideInAPackage("..policy..").should().dependOnClassesThat()
                .resideInAnyPackage("..config..", "..upstream..", "..call..", "..convert..", "..route..", "..servlet..",
                        "..ledger..", "..identity..", "..anthropic..", "..openai..", "java.sql..", "javax.sql..")
                .check(gateway);
    }

    @Test
    void theLedgerKnowsOnlyThePolicysWords() {
        noClasses().that().resideInAPackage("..ledger..").should().dependOnClassesThat()
                .resideInAnyPackage("..config..", "..upstream..", "..call..", "..convert..", "..route..", "..servlet..",
                        "..identity..", "..anthropic..", "..openai..", "jakarta.servlet..")
                .check(gateway);
    }

    @Test
    void onlyTheLedgerTouchesTheDatabase() {
        noClasses().that().resideOutsideOfPackage("..ledger..").should().dependOnClassesThat()
                .resideInAnyPackage("java.sql..", "javax.sql..", "org.flywaydb..", "org.h2..")
                .check(gateway);
    }

    @Test
    void telemetryForwardingKnowsNothingOfCallsConversionOrTheServlet() {
        noClasses().that().resideInAPackage("..otlp..").should().dependOnClassesThat()
                .resideInAnyPackage("..call..", "..convert..", "..route..", "..servlet..", "..anthropic..", "..openai..",
                        "..identity..")
                .check(gateway);
    }

    @Test
    void theUpstreamClientKnowsNothingOfCallsConversionOrTheServlet() {
        noClasses().that().resideInAPackage("..upstream..").should().dependOnClassesThat()
                .resideInAnyPackage("..call..", "..convert..", "..route..", "..servlet..", "..anthropic..", "..openai..")
                .check(gateway);
    }

    @Test
    void conversionIsPureNoInputOutputNoServletNoUpstream() {
        noClasses().that().resideInAPackage("..convert..").should().dependOnClassesThat()
                .resideInAnyPackage("..config..", "..route..", "..upstream..", "..call..", "..servlet..",
                        "java.net..", "java.nio.channels..", "jakarta.servlet..", "org.apache.hc..")
                .check(gateway);
    }

    @Test
    void onlyTheServletPackageSeesTheServletApi() {
        noClasses().that().resideOutsideOfPackage("..servlet..").should().dependOnClassesThat()
                .resideInAPackage("jakarta.servlet..").check(gateway);
    }

    @Test
    void onlyTheUpstreamPackageSeesTheHttpClient() {
        noClasses().that().resideOutsideOfPackage("..upstream..").should().dependOnClassesThat()
                .resideInAPackage("org.apache.hc..").check(gateway);
    }

    /** jakarta.json.Json's and JsonbBuilder's factories scan the WAR's jars on every call (a third of the CPU per request, measured). */
    @Test
    void jsonProvidersAreLookedUpOnceInTheJsonPackage() {
        noClasses().that().resideOutsideOfPackage("dev.claudeproxy.json").should()
                .callMethodWhere(target(owner(belongToAnyOf(Json.class, JsonbBuilder.class))))
                .because("use dev.claudeproxy.json.Json (JSON_P, read, write) instead").check(gateway);
    }
}
