namespace Switchboard.Redis.Tests.Endpoints;

/// <summary>Names the connection: with <see cref="Unique"/>, only when no connection of the cluster holds the name.</summary>
[Message("e2e.login")]
public sealed partial record Login(string User, bool Unique);

/// <summary>The answer to <see cref="Login"/>: whether the name was taken, and the connection's cluster-wide id.</summary>
[Message("e2e.welcome")]
public sealed partial record Welcome(string User, bool Ok, long ConnectionId);

/// <summary>Joins a group, asking for the last <see cref="History"/> messages when nothing is recovered.</summary>
[Message("e2e.join")]
public sealed partial record JoinRoom(string Group, int History);

/// <summary>The answer to <see cref="JoinRoom"/>, sent after the notice and the replay: the endpoint's GroupJoin.</summary>
[Message("e2e.joined")]
public sealed partial record JoinedRoom(string Group, string Recovered, long Offset);

/// <summary>Asks the endpoint to send a <see cref="Note"/> to all, others, a group, a user or a connection.</summary>
[Message("e2e.post")]
public sealed partial record Post(string Target, string Name, long Connection, int Seq);

/// <summary>What the recipients of a <see cref="Post"/> get.</summary>
[Message("e2e.note")]
public sealed partial record Note(string From, int Seq);
