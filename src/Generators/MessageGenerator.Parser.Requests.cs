using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Switchboard.Generators.Model;

namespace Switchboard.Generators;

public sealed partial class MessageGenerator
{
    internal static partial class Parser
    {
        /// <summary>
        /// What the message is for (<see cref="RequestSpec"/>): a request with its response and errors, an error, or a
        /// plain message; the checks of SWB017 to SWB021 add to <paramref name="diagnostics"/>.
        /// </summary>
        private static RequestSpec ParseRequest(INamedTypeSymbol type, Location typeLocation, string displayName,
            List<DiagnosticInfo> diagnostics, CancellationToken token)
        {
            var response = type.AllInterfaces.FirstOrDefault(IsRequestInterface)?.TypeArguments[0];
            bool isError = type.AllInterfaces.Any(i => MetadataName(i) == TypeNames.RequestErrorInterface);
            var errorsAttribute = type.GetAttributes().FirstOrDefault(a => a.AttributeClass is { } c && MetadataName(c) == TypeNames.RequestErrorsAttribute);

            if (response is not null && isError)
            {
                diagnostics.Add(Diagnostic(DiagnosticDescriptors.RequestIsError, typeLocation, displayName));
                return RequestSpec.Plain;
            }

            if (response is null)
            {
                if (errorsAttribute is not null)
                {
                    diagnostics.Add(Diagnostic(DiagnosticDescriptors.ErrorsWithoutRequest,
                        errorsAttribute.ApplicationSyntaxReference?.GetSyntax(token).GetLocation() ?? typeLocation, displayName));
                }

                return isError ? RequestSpec.Error : RequestSpec.Plain;
            }

            string responseName = response.ToDisplayString(DisplayFormat);
            string? responseWireName = WireNameOf(response);
            if (responseWireName is null || response is not INamedTypeSymbol)
            {
                diagnostics.Add(Diagnostic(DiagnosticDescriptors.ResponseNotMessage, typeLocation, displayName, responseName));
            }
            else if (response.AllInterfaces.Any(i => IsRequestInterface(i) || MetadataName(i) == TypeNames.RequestErrorInterface))
            {
                diagnostics.Add(Diagnostic(DiagnosticDescriptors.ResponseNotPlain, typeLocation, displayName, responseName));
            }

            var errors = new List<ErrorSpec>();
            if (errorsAttribute is not null)
            {
                var errorsLocation = errorsAttribute.ApplicationSyntaxReference?.GetSyntax(token).GetLocation() ?? typeLocation;
                var listed = errorsAttribute.ConstructorArguments.Length == 1 && errorsAttribute.ConstructorArguments[0].Kind == TypedConstantKind.Array
                    ? errorsAttribute.ConstructorArguments[0].Values.Select(v => v.Value as ITypeSymbol)
                    : errorsAttribute.ConstructorArguments.Select(v => v.Value as ITypeSymbol);
                foreach (var error in listed)
                {
                    string? wireName = error is null ? null : WireNameOf(error);
                    if (error is null || wireName is null || !error.AllInterfaces.Any(i => MetadataName(i) == TypeNames.RequestErrorInterface))
                    {
                        diagnostics.Add(Diagnostic(DiagnosticDescriptors.ErrorNotDeclared, errorsLocation, displayName, error?.ToDisplayString(DisplayFormat) ?? "null"));
                    }
                    else if (!errors.Any(e => e.WireName == wireName))
                    {
                        errors.Add(new ErrorSpec(error.ToDisplayString(CodeFormat), wireName));
                    }
                }
            }

            return new RequestSpec("Request", response.ToDisplayString(CodeFormat), responseWireName, errors.ToEquatableArray());
        }

        private static bool IsRequestInterface(INamedTypeSymbol type) => MetadataName(type.OriginalDefinition) == TypeNames.RequestInterface;

        /// <summary>The wire name of a <c>[Message]</c> type, or null when it is not one or its name is invalid.</summary>
        private static string? WireNameOf(ITypeSymbol type)
        {
            var attribute = type.GetAttributes().FirstOrDefault(a => a.AttributeClass is { } c && MetadataName(c) == TypeNames.MessageAttribute);
            return attribute?.ConstructorArguments is { Length: 1 } arguments && arguments[0].Value is string name && Helpers.WireNames.IsValid(name) ? name : null;
        }
    }
}
